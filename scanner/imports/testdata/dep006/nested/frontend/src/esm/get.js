import axios from 'axios'
export const get = (u) => axios.get(u)
