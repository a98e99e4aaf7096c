export default function handler(req, res) {  // ok: AUTH-001
  res.status(200).json({ up: true });
}
