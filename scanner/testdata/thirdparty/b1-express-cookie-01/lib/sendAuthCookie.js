// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
exports.sendAuthCookie = async function (customer, res) {
  const cookieSettings = {
    httpOnly: true,
  };
  const token = await customer.issueToken();
  customer.hash = undefined;
  res.cookie("token", token, cookieSettings).json({
    ok: true,
    customer,
    token,
  });
};
