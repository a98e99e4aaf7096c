module.exports = {
  jwtSecret: process.env.JWT_SECRET || 'dev-secret-change-in-production', // PLANTED: SEC-004
  databaseUrl: process.env.DATABASE_URL || 'postgres://notes:notes@localhost:5432/notes', // PLANTED: SEC-004
  apiKey: process.env.INTERNAL_API_KEY,
};
