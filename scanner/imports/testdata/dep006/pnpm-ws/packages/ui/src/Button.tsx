import React from 'react'
import clsx from 'clsx'
export function Button(p: { children: React.ReactNode }) { return <button className={clsx('btn')}>{p.children}</button> }
