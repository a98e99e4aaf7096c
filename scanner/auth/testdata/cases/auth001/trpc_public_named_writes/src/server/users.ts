import { z } from 'zod';
import { protectedProcedure, publicProcedure, router } from './trpc';
import { userService } from '../services/users';

// a public procedure's creations are public by choice; its name says when
// it updates or deletes, even through a service the scanner cannot read
export const userRouter = router({
  me: protectedProcedure.query(({ ctx }) => ctx.session.user),  // ok: AUTH-001

  deleteUser: publicProcedure  // want: AUTH-001
    .input(z.object({ userId: z.string() }))
    .mutation(({ input }) => userService.remove(input.userId)),

  updateRole: publicProcedure  // want: AUTH-001
    .input(z.object({ userId: z.string(), role: z.enum(['USER', 'ADMIN']) }))
    .mutation(({ input }) => userService.setRole(input.userId, input.role)),

  subscribe: publicProcedure  // ok: AUTH-001
    .input(z.object({ email: z.string().email() }))
    .mutation(({ input }) => userService.subscribe(input.email)),
});
