package dev.torpor.router.http;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.GenericFutureListener;

/** Watches a request's Netty channel for the client closing the connection. */
final class NettyClientLink implements ClientLink {
    private final Channel channel;
    private GenericFutureListener<ChannelFuture> listener;

    private NettyClientLink(Channel channel) {
        this.channel = channel;
    }

    static ClientLink of(HttpRequest<?> request) {
        if (request instanceof NettyHttpRequest<?> netty) {
            return new NettyClientLink(netty.getChannelHandlerContext().channel());
        }
        return ClientLink.NONE;
    }

    @Override
    public synchronized void onGone(Runnable action) {
        listener = closed -> action.run();
        channel.closeFuture().addListener(listener);
    }

    @Override
    public synchronized void release() {
        if (listener != null) {
            channel.closeFuture().removeListener(listener);
            listener = null;
        }
    }
}
