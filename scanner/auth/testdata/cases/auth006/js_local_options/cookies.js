exports.sendSessionCookie = async function (member, res) {
  const cookieOpts = {
    httpOnly: true,
  };
  const token = await member.signToken();
  res.cookie('token', token, cookieOpts);  // want: AUTH-006
};

exports.afterVerify = function (token, res) {
  res.status(200).cookie('token', token, { maxAge: 1000 }).json({});  // want: AUTH-006
};

exports.hardened = function (token, res) {
  const opts = { httpOnly: true };
  opts.secure = true;
  opts.sameSite = 'lax';
  res.cookie('token', token, opts);  // ok: AUTH-006
};
