package dev.tdlab.analysis.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API tokens: {@code tdl_} + 32 random bytes (256 bits, base64url). Only their SHA-256 is stored: a token has the
 * entropy of a key, so a fast unsalted hash is enough (no dictionary or brute force can reach 2^256), and the lookup
 * stays one indexed equality per request — a password hash (bcrypt, argon2) would only add latency.
 */
public final class Tokens {

    public static final String PREFIX = "tdl_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    /** A new random token. */
    public static String generate() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Hex SHA-256 of the token, as stored. */
    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compares two tokens in constant time (by their hashes). */
    public static boolean same(String a, String b) {
        return a != null && b != null && MessageDigest.isEqual(hash(a).getBytes(StandardCharsets.US_ASCII),
                hash(b).getBytes(StandardCharsets.US_ASCII));
    }

    /** What a listing may show of a token: its prefix and first 4 characters. */
    public static String display(String token) {
        return token.substring(0, Math.min(token.length(), PREFIX.length() + 4)) + "…";
    }
}
