import Redis from 'ioredis' // EXPECT ioredis (declared by worker only)
export default async function Page() { const r = new Redis(); return <p>{await r.get('k')}</p> }
