'use server'

// every export of a 'use server' module is an endpoint anyone can POST to
import { revalidatePath } from 'next/cache'
import { auth } from '@/auth'
import { db } from '@/lib/db'

export async function deleteUser(id: string) {  // want: AUTH-001
  await db.user.delete({ where: { id } })
  revalidatePath('/admin/users')
}

export const setRole = async (userId: string, role: 'USER' | 'ADMIN') => {  // want: AUTH-001
  await db.user.update({ where: { id: userId }, data: { role } })
}

export async function updateProfile(formData: FormData) {  // ok: AUTH-001, AUTH-002
  const session = await auth()
  if (!session?.user) throw new Error('Unauthorized')
  await db.user.update({ where: { id: session.user.id }, data: { name: String(formData.get('name')) } })
}

export async function banUser(id: string) {  // ok: AUTH-001, AUTH-002
  const session = await auth()
  if (session?.user?.role !== 'ADMIN') throw new Error('Forbidden')
  await db.user.update({ where: { id }, data: { banned: true } })
}

export async function getPosts(page: number) {  // ok: AUTH-001
  return db.post.findMany({ skip: page * 20, take: 20 })
}

export async function listUsers() {  // want: AUTH-001
  return db.user.findMany({ select: { email: true, role: true } })
}
