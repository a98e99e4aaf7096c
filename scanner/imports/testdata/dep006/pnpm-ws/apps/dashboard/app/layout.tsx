import { Inter } from 'next/font/google'
import { format } from 'date-fns'
import { Button } from '@acme/ui'
const inter = Inter({ subsets: ['latin'] })
export default function Layout({ children }: { children: React.ReactNode }) {
  return <html className={inter.className}><body><Button>{format(new Date(), 'P')}</Button>{children}</body></html>
}
