import * as React from 'react'
export const Button = () => <button />
