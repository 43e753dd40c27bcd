package org.detrain.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one list of message tags: no two the same, and none where MPJ's collectives send. */
class MessageTagsTest {
    /** Every tag of the list (not the MPJ boundary), by name. */
    private static List<Field> tags() {
        List<Field> out = new ArrayList<>();
        for (Field f : MessageTags.class.getDeclaredFields()) {
            int m = f.getModifiers();
            if (Modifier.isStatic(m) && Modifier.isFinal(m) && f.getType() == int.class
                    && !f.getName().equals("MPJ_COLLECTIVES_FIRST")) {
                out.add(f);
            }
        }
        return out;
    }

    @Test
    void noTwoTagsAreTheSameAndTheTransportCheckRangeIsAboveTheAlgorithms() throws Exception {
        List<Field> tags = tags();
        assertTrue(tags.size() >= 7, "tags found: " + tags);
        Set<Integer> seen = new HashSet<>();
        int highestAlgorithmTag = Integer.MIN_VALUE;
        for (Field f : tags) {
            int tag = f.getInt(null);
            assertTrue(seen.add(tag), f.getName() + " = " + tag + " is already taken by another use");
            assertTrue(tag >= 0 && tag < MessageTags.MPJ_COLLECTIVES_FIRST, f.getName() + " = " + tag);
            if (!f.getName().equals("TRANSPORT_CHECK_FIRST")) {
                highestAlgorithmTag = Math.max(highestAlgorithmTag, tag);
            }
        }
        // detrain check counts up from TRANSPORT_CHECK_FIRST, one tag per gossip endpoint it builds.
        assertTrue(MessageTags.TRANSPORT_CHECK_FIRST > highestAlgorithmTag);
    }

    @Test
    void mpjCollectivesSendWithTagsAboveOurs() throws Exception {
        // MPJ Express 0.44's pure-Java collectives keep their tags in int fields set by the constructor.
        Class<?> impl = Class.forName("mpi.PureIntracomm");
        Constructor<?> make = impl.getDeclaredConstructor();
        make.setAccessible(true);
        Object collectives = make.newInstance();
        int lowest = Integer.MAX_VALUE;
        int count = 0;
        for (Field f : impl.getDeclaredFields()) {
            if (f.getType() == int.class && !Modifier.isStatic(f.getModifiers())
                    && f.getName().toLowerCase(java.util.Locale.ROOT).contains("tag")) {
                f.setAccessible(true);
                lowest = Math.min(lowest, f.getInt(collectives));
                count++;
            }
        }
        assertFalse(count == 0, "no tag fields found in " + impl);
        assertEquals(MessageTags.MPJ_COLLECTIVES_FIRST, lowest, "MPJ's lowest collective tag moved");
    }
}
