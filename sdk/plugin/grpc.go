package plugin

import (
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// MaxMessageSize is the largest gRPC message the host and a plugin accept,
// either way: a batch of a large scheduling step is bigger than gRPC's
// default 4 MiB.
const MaxMessageSize = 256 << 20

const windowSize = 16 << 20

const bufferSize = 1 << 20

// Handshake returns the go-plugin handshake of crewplan's plugins: the
// cookie in MagicCookieKey and the base ProtocolVersion. The API versions of
// each plugin type are negotiated on top of it through go-plugin's
// versioned plugin sets.
func Handshake() goplugin.HandshakeConfig {
	return goplugin.HandshakeConfig{
		ProtocolVersion:  ProtocolVersion,
		MagicCookieKey:   MagicCookieKey,
		MagicCookieValue: MagicCookieValue,
	}
}

// NewGRPCServer builds a plugin's gRPC server with go-plugin's options and
// the raised message limits; it fits go-plugin's ServeConfig.GRPCServer.
func NewGRPCServer(opts []grpc.ServerOption) *grpc.Server {
	opts = append(opts,
		grpc.MaxRecvMsgSize(MaxMessageSize),
		grpc.MaxSendMsgSize(MaxMessageSize),
		grpc.InitialWindowSize(windowSize),
		grpc.InitialConnWindowSize(windowSize),
		grpc.ReadBufferSize(bufferSize),
		grpc.WriteBufferSize(bufferSize),
	)
	return grpc.NewServer(opts...)
}

// CallOptions are the options of every call the host makes to a plugin:
// the raised message limits.
func CallOptions() []grpc.CallOption {
	return []grpc.CallOption{
		grpc.MaxCallRecvMsgSize(MaxMessageSize),
		grpc.MaxCallSendMsgSize(MaxMessageSize),
	}
}

// DialOptions are the options a host adds to go-plugin's
// ClientConfig.GRPCDialOptions so that every call, including go-plugin's
// own, accepts large messages.
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithDefaultCallOptions(CallOptions()...),
		grpc.WithInitialWindowSize(windowSize),
		grpc.WithInitialConnWindowSize(windowSize),
		grpc.WithReadBufferSize(bufferSize),
		grpc.WithWriteBufferSize(bufferSize),
	}
}
