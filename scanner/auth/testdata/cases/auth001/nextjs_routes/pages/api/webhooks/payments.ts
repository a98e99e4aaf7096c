export default async function handler(req, res) {  // ok: AUTH-001
  if (req.method !== 'POST') return res.status(405).end();
  await payments.record(verifySignature(req));
  res.status(200).end();
}
