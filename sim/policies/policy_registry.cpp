// Placeholder translation unit until the policies land.
namespace fleetsim {}
