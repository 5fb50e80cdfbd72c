package transport

import "golang.org/x/net/bpf"

// packetTypeOutgoing is PACKET_OUTGOING from <linux/if_packet.h>.
const packetTypeOutgoing = 4

// replyFilter accepts only what a DHCP client can receive: incoming IPv4
// UDP to port 68 that is not a fragment. The socket is SOCK_DGRAM, so the
// program sees the packet from its IPv4 header on. Everything else is
// dropped in the kernel, before it costs a wake-up.
var replyFilter = mustAssemble([]bpf.Instruction{
	// Our own transmissions are looped back to packet sockets: skip them.
	bpf.LoadExtension{Num: bpf.ExtType},
	bpf.JumpIf{Cond: bpf.JumpEqual, Val: packetTypeOutgoing, SkipTrue: 8},
	// IPv4 protocol field: UDP.
	bpf.LoadAbsolute{Off: 9, Size: 1},
	bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: protoUDP, SkipTrue: 6},
	// Flags and fragment offset: no fragments (MF or an offset).
	bpf.LoadAbsolute{Off: 6, Size: 2},
	bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: 0x3fff, SkipTrue: 4},
	// X = IPv4 header length; the UDP destination port follows it.
	bpf.LoadMemShift{Off: 0},
	bpf.LoadIndirect{Off: 2, Size: 2},
	bpf.JumpIf{Cond: bpf.JumpEqual, Val: ClientPort, SkipFalse: 1},
	bpf.RetConstant{Val: 1 << 16},
	bpf.RetConstant{Val: 0},
})

// dropAll rejects every packet: the unicast UDP socket only sends.
var dropAll = mustAssemble([]bpf.Instruction{bpf.RetConstant{Val: 0}})

func mustAssemble(prog []bpf.Instruction) []bpf.RawInstruction {
	raw, err := bpf.Assemble(prog)
	if err != nil {
		panic("transport: bad BPF program: " + err.Error())
	}
	return raw
}
