import express from 'express'
import Fastify from 'fastify' // EXPECT fastify
express(); Fastify()
