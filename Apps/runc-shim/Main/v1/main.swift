// containerd-shim-runc-v1: the shim for io.containerd.runc.v1 (containerd
// 1.6 and 1.7): one container per shim.
import RuncShim

RuncShimMain.run(.v1)
