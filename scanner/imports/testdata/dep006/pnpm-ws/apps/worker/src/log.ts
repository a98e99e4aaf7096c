import pino from 'pino' // EXPECT root-only runtime dependency in workspace production code (decision)
export const log = pino()
