import React from 'react' // EXPECT react declared only at the workspace root (decision)
import { BrowserRouter } from 'react-router-dom'
export const Root = () => <BrowserRouter />
