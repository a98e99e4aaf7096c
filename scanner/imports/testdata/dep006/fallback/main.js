import React from 'react'
import { createApp } from 'vue' // EXPECT vue
