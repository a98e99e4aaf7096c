import useSWR from 'swr' // EXPECT swr declared nowhere
export const useData = (k: string) => useSWR(k)
