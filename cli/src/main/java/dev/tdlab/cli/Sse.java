package dev.tdlab.cli;

/** Server-sent events, parsed line by line (the parts of the format the analysis-service uses). */
final class Sse {

    private Sse() {
    }

    /** One event: its id (may be null), its name ({@code message} when none), its data lines joined by \n. */
    record Event(String id, String name, String data) {
    }

    /** Feed it the lines of the stream; it returns an event at each blank line that ends one. */
    static final class Parser {
        private String id;
        private String name;
        private StringBuilder data;

        Event line(String line) {
            if (line.isEmpty()) {
                if (data == null) {
                    name = null;
                    return null;
                }
                Event e = new Event(id, name == null ? "message" : name, data.toString());
                name = null;
                data = null;
                return e; // the id stays: it is the stream's last event id until a new one comes
            }
            if (line.startsWith(":")) {
                return null; // a comment (keep-alive)
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "id" -> id = value;
                case "event" -> name = value;
                case "data" -> {
                    if (data == null) {
                        data = new StringBuilder(value);
                    } else {
                        data.append('\n').append(value);
                    }
                }
                default -> { } // retry and unknown fields: ignored
            }
            return null;
        }
    }
}
