// containerd-shim-runc-v2: the shim for io.containerd.runc.v2 (containerd
// 1.6, 1.7 and 2.x, and Kubernetes through CRI): the containers of a group
// (a pod) in one shim.
import RuncShim

RuncShimMain.run(.v2)
