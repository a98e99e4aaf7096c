import React from 'react'
export const C = () => null
