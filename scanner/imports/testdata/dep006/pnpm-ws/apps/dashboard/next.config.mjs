import bundleAnalyzer from '@next/bundle-analyzer'
export default bundleAnalyzer({ enabled: false })({})
