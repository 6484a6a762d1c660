package dev.tandem.synthetics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.Json;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonPathTest {
  private static final Object DOC = Json.decodeValue("""
      {"id": "o-1", "status": "SUBMITTED", "qty": 1, "price": 2.50, "paid": false, "note": null,
       "lines": [{"sku": "SKU-1"}, {"sku": "SKU-2", "tags": ["a", "b"]}],
       "odd key": {"it's": "yes"}, "with-dash": 7, "nested": {"deep": {"x": [10, [20, 21]]}}}
      """);

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', nullValues = "MISSING", textBlock = """
      $.id                    | o-1
      $.status                | SUBMITTED
      $['status']             | SUBMITTED
      $["status"]             | SUBMITTED
      $.qty                   | 1
      $.price                 | 2.5
      $.paid                  | false
      $.note                  | null
      $.lines[0].sku          | SKU-1
      $.lines[1]['sku']       | SKU-2
      $.lines[1].tags[1]      | b
      $['odd key']['it\\'s']  | yes
      $.with-dash             | 7
      $.nested.deep.x[1][0]   | 20
      $.lines[0]              | {"sku":"SKU-1"}
      $.nested.deep.x         | [10,[20,21]]
      $.lines[2]              | MISSING
      $.nope                  | MISSING
      $.id.more               | MISSING
      $.lines.sku             | MISSING
      $.qty[0]                | MISSING
      """)
  void readsTheSubset(String path, String expected) {
    Optional<Object> found = JsonPath.parse(path).read(DOC);

    assertThat(found.map(JsonPath::text).orElse(null)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      status          | JSONPath must start with '$'
      $.              | expected a field name after '.' at position 2
      $..id           | '.' at position 2 is not supported
      $.lines[*]      | '*' at position 8 is not supported
      $.lines[-1]     | negative indexes are not supported
      $.lines[0       | expected ']' at position 9
      $.lines[        | unclosed '[' at position 7
      $['id           | unclosed quote at position 2
      $['id'x         | expected ']' at position 6
      $.lines[?(@.a)] | '?' at position 8 is not supported
      $ id            | unexpected ' ' at position 1
      """)
  void rejectsWhatIsOutsideTheSubset(String path, String message) {
    assertThatThrownBy(() -> JsonPath.parse(path))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @ParameterizedTest(name = "{0} vs {1}")
  @CsvSource(delimiter = '|', textBlock = """
      $.qty    | 1         | true
      $.qty    | 1.0       | true
      $.qty    | 2         | false
      $.price  | 2.5       | true
      $.status | SUBMITTED | true
      $.status | submitted | false
      $.paid   | false     | true
      $.note   | null      | true
      """)
  void comparesNumbersByValueAndTheRestAsText(String path, String expected, boolean matches) {
    Object actual = JsonPath.parse(path).read(DOC).orElseThrow();

    assertThat(JsonPath.matches(expected, actual)).isEqualTo(matches);
  }
}
