import { Worker } from 'bullmq'
import IORedis from 'ioredis'
import { formatISO } from 'date-fns' // EXPECT date-fns (dashboard only)
new Worker('q', async () => formatISO(new Date()), { connection: new IORedis() })
