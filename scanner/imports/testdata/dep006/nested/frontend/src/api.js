import axios from 'axios'
import { ref } from 'vue'
export const data = ref(null)
export const load = () => axios.get('/api').then(r => { data.value = r.data })
