// Replaced as the serving layer lands.
namespace fleetsim {}
