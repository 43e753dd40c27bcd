package org.detrain.comm.local;

import java.util.HashMap;
import java.util.Map;

/**
 * One rank's incoming messages. Every (sender, tag, kind) channel numbers its messages as they are
 * sent and its receives as they are posted; receive k takes message k. That is MPI's matching rule
 * (non-overtaking, in posting order) without wildcards, which detrain never uses.
 */
final class Mailbox {
    /** A channel: who sends, with which tag, and whether it is collective traffic (never mixed with tags). */
    record Channel(int source, int tag, boolean collective) {
    }

    /** A message: a private copy of the payload (float[] or double[]). */
    record Message(Object payload, int count) {
    }

    private static final class Queue {
        long sent;
        long posted;
        final Map<Long, Message> waiting = new HashMap<>();
    }

    private final Map<Channel, Queue> queues = new HashMap<>();

    synchronized void deliver(Channel channel, Message message) {
        Queue q = queues.computeIfAbsent(channel, c -> new Queue());
        q.waiting.put(q.sent++, message);
        notifyAll();
    }

    /** Posts a receive on the channel; the number it returns is the message it will take. */
    synchronized long post(Channel channel) {
        return queues.computeIfAbsent(channel, c -> new Queue()).posted++;
    }

    /**
     * Takes message {@code seq} of the channel, waiting for it until {@code deadline} (System.nanoTime)
     * or until {@code stop} says to give up. Returns null on either.
     */
    synchronized Message take(Channel channel, long seq, long deadline, java.util.function.BooleanSupplier stop)
            throws InterruptedException {
        Queue q = queues.computeIfAbsent(channel, c -> new Queue());
        while (true) {
            Message m = q.waiting.remove(seq);
            if (m != null) {
                return m;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || stop.getAsBoolean()) {
                return null;
            }
            long millis = Math.max(1, Math.min(left / 1_000_000, 1000));
            wait(millis);
        }
    }

    /** Whether message {@code seq} has arrived, without taking it. */
    synchronized boolean arrived(Channel channel, long seq) {
        Queue q = queues.get(channel);
        return q != null && q.waiting.containsKey(seq);
    }

    synchronized void wakeAll() {
        notifyAll();
    }
}
