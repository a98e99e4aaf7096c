import { z } from 'zod';
import { publicProcedure, router } from '../trpc';

export const authRouter = router({
  signup: publicProcedure  // ok: AUTH-001
    .input(z.object({ email: z.string().email(), password: z.string().min(12) }))
    .mutation(({ ctx, input }) => ctx.users.register(input)),
});
