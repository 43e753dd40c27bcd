package org.detrain.util;

import java.util.Collection;

/** "Did you mean …?": the known name closest to a misspelt one. */
public final class Spelling {
    private Spelling() {
    }

    /**
     * The name in {@code known} with the smallest edit distance to {@code typed}, if that distance is at
     * most {@code maxDistance}; the first such name on a tie; null when none is that close.
     */
    public static String closest(String typed, Collection<String> known, int maxDistance) {
        String best = null;
        int bestDistance = maxDistance + 1;
        for (String k : known) {
            int d = editDistance(typed, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best;
    }

    /** Levenshtein distance: insertions, deletions and substitutions of one character each cost 1. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
