package dev.torpor.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration table and {@code application.yml} agree: every documented variable is mapped by a
 * placeholder, and its default there is the documented one (a default described in words, such as "75 % of the
 * machine", is the empty value the settings records turn into it).
 */
class ConfigurationTableTest {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(TORPOR_[A-Z_]+):([^}]*)}");
    private static final Pattern VARIABLE = Pattern.compile("`(TORPOR_[A-Z_]+)`");

    @Test
    void everyDocumentedVariableIsMappedWithItsDocumentedDefault() throws IOException {
        Map<String, String> mapped = new LinkedHashMap<>();
        Matcher placeholder = PLACEHOLDER.matcher(applicationYml());
        while (placeholder.find()) {
            mapped.put(placeholder.group(1), placeholder.group(2));
        }
        List<String> documented = new ArrayList<>();
        for (String row : Files.readAllLines(Path.of("..", "README.md"))) {
            if (!row.startsWith("| `TORPOR_")) {
                continue;
            }
            String[] cells = row.substring(1).split("\\|");
            List<String> names = VARIABLE.matcher(cells[0]).results().map(match -> match.group(1)).toList();
            String[] defaults = cells[cells.length - 1].trim().split(",\\s*");
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                String doc = (defaults.length == names.size() ? defaults[i] : defaults[0]).replace("`", "").trim();
                documented.add(name);
                assertThat(mapped).as("application.yml maps %s", name).containsKey(name);
                String expected = doc.contains(" ") || doc.equals("(none)") ? "" : doc;
                assertThat(mapped.get(name)).as("the default of %s", name).isEqualTo(expected);
            }
        }
        assertThat(documented).as("the README's configuration table").hasSizeGreaterThan(40);
    }

    private static String applicationYml() throws IOException {
        try (InputStream yml = ConfigurationTableTest.class.getResourceAsStream("/application.yml")) {
            return new String(yml.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
