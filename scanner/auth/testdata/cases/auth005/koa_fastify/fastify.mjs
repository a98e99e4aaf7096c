import Fastify from 'fastify';
import cors from '@fastify/cors';

const pub = Fastify();
await pub.register(cors, { origin: true, credentials: true });  // want: AUTH-005

const priv = Fastify();
await priv.register(cors, { origin: ['https://console.example.org'], credentials: true });  // ok: AUTH-005
