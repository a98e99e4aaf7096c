import { z } from 'zod';
import { adminProcedure, protectedProcedure, publicProcedure, router } from '../trpc';

export const postRouter = router({
  list: publicProcedure.query(({ ctx }) => ctx.db.post.findMany({ take: 20 })),  // ok: AUTH-001

  create: protectedProcedure  // ok: AUTH-001
    .input(z.object({ title: z.string() }))
    .mutation(({ ctx, input }) => ctx.db.post.create({ data: { ...input, authorId: ctx.session.user.id } })),

  update: protectedProcedure  // ok: AUTH-001, AUTH-002
    .input(z.object({ id: z.string(), title: z.string() }))
    .mutation(({ ctx, input }) => ctx.db.post.update({ where: { id: input.id, authorId: ctx.session.user.id }, data: { title: input.title } })),

  archive: protectedProcedure  // want: AUTH-002
    .input(z.object({ id: z.string() }))
    .mutation(({ ctx, input }) => ctx.db.post.update({ where: { id: input.id }, data: { archived: true } })),

  delete: publicProcedure  // want: AUTH-001
    .input(z.object({ id: z.string() }))
    .mutation(({ ctx, input }) => ctx.db.post.delete({ where: { id: input.id } })),

  purge: adminProcedure  // ok: AUTH-001, AUTH-002
    .input(z.object({ before: z.date() }))
    .mutation(({ ctx, input }) => ctx.db.post.deleteMany({ where: { createdAt: { lt: input.before } } })),

  remove: publicProcedure  // ok: AUTH-001
    .input(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      if (!ctx.session?.user) throw new TRPCError({ code: 'UNAUTHORIZED' });
      return ctx.db.post.delete({ where: { id: input.id, authorId: ctx.session.user.id } });
    }),
});
