import express from 'express' // EXPECT express
export const r = express.Router()
