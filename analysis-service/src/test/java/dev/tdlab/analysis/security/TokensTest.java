package dev.tdlab.analysis.security;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokensTest {

    @Test
    void tokensAreLongRandomAndStoredOnlyAsTheirHash() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String t = Tokens.generate();
            assertTrue(t.startsWith("tdl_") && t.length() == 4 + 43, t);
            assertTrue(t.substring(4).matches("[A-Za-z0-9_-]+"), "url-safe: " + t);
            assertTrue(seen.add(t));
        }
        String t = Tokens.generate();
        String h = Tokens.hash(t);
        assertEquals(64, h.length());
        assertEquals(h, Tokens.hash(t));
        assertFalse(h.contains(t.substring(4, 12)));
        // SHA-256("abc"), FIPS 180-2 test vector
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Tokens.hash("abc"));
    }

    @Test
    void comparisonAndDisplay() {
        String t = Tokens.generate();
        assertTrue(Tokens.same(t, new String(t.toCharArray())));
        assertFalse(Tokens.same(t, Tokens.generate()));
        assertFalse(Tokens.same(t, null));
        assertNotEquals(t, Tokens.display(t));
        assertEquals(9, Tokens.display(t).length()); // tdl_ + 4 + …
    }
}
