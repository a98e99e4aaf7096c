import { defineStore } from 'pinia' // EXPECT pinia
export const useStore = defineStore('main', {})
