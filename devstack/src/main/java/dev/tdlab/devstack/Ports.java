package dev.tdlab.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free-port lookup and the "is this port taken?" check behind DevStack's fail-fast message. */
public final class Ports {

    private Ports() {
    }

    /** A currently free TCP port on the loopback interface. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("could not find a free port", e);
        }
    }

    /**
     * Throws {@link PortInUseException} when {@code port} cannot be bound on the loopback interface
     * (something listens on it on loopback or on all interfaces).
     */
    public static void requireFree(String what, int port) {
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException(what + " port out of range: " + port);
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new PortInUseException(what, port, e);
        }
    }

    /** {@code port} itself when it is positive (after checking it is free), else a free port. */
    static int resolve(String what, int port) {
        if (port == 0) {
            return freePort();
        }
        requireFree(what, port);
        return port;
    }

    /** A port that DevStack (or a component) needs is already taken. */
    public static final class PortInUseException extends IllegalStateException {
        private final int port;

        PortInUseException(String what, int port, Throwable cause) {
            super(what + " port " + port + " is already in use (" + cause.getMessage()
                    + "); stop whatever listens on it or choose another port", cause);
            this.port = port;
        }

        public int port() {
            return port;
        }
    }
}
