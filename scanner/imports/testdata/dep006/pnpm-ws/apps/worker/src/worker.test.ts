import { test, expect } from 'vitest'
import { log } from './log'
test('log', () => { expect(typeof log.info).toBe('function') })
