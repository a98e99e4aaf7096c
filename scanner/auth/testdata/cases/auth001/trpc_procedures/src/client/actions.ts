import { trpc } from './trpc';

// client calls are not procedures
export async function removePost(id: string) {
  return trpc.post.delete.mutate({ id });
}

export const deleteDraft = (id: string) => trpc.post.delete.mutation({ id });  // ok: AUTH-001
