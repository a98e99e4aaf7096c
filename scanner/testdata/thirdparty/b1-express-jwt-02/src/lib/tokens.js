// Written for vigil-proxy's third-party-style corpus after the shape of a public Express app.
import jwt from "jsonwebtoken";

export const startSession = async (res, accountId) => {
  const token = jwt.sign({ accountId }, process.env.TOKEN_SECRET, {
    expiresIn: "7d",
  });
  const cookieOpts = {
    secure: true,
    httpOnly: true,
    expires: new Date(Date.now() + 7 * 86400 * 1000),
  };
  res.cookie("token", token, cookieOpts);
  return token;
};
