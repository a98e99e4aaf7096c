module.exports = {
  jwt: { secret: 'a9f8e7d6c5b4a3928170', expiresIn: '1h' },
  port: 3000,
};
