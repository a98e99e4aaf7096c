import { z } from 'zod';
import { publicProcedure, router } from '../trpc';

export const authRouter = router({
  signup: publicProcedure  // ok: AUTH-001
    .input(z.object({ email: z.string().email(), password: z.string().min(12) }))
    .mutation(({ ctx, input }) => ctx.users.register(input)),

  // public on purpose: a profile page anyone may read
  profile: publicProcedure.input(z.object({ handle: z.string() })).query(({ ctx, input }) => ctx.users.profile(input.handle)),  // ok: AUTH-001
});
