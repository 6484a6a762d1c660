package dev.tandem.synthetics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TemplateTest {
  private static final UUID ID = UUID.fromString("3f1b8c2e-0000-4000-8000-000000000001");
  private static final Template.Bindings BINDINGS = new Template.Bindings(
      Map.of("orderId", "o-42", "odd", "a/b c"),
      name -> name.equals("REGION") ? "eu-west" : null,
      Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC),
      () -> ID);

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      /orders                          | /orders
      /orders/{{orderId}}/allocation   | /orders/o-42/allocation
      /orders/{{ orderId }}            | /orders/o-42
      {{uuid}}                         | 3f1b8c2e-0000-4000-8000-000000000001
      at {{now}}                       | at 2026-11-26T10:00:00Z
      {{env:REGION}}-{{orderId}}       | eu-west-o-42
      {single} braces stay            | {single} braces stay
      """)
  void rendersPlaceholders(String template, String expected) {
    assertThat(Template.parse(template).render(BINDINGS)).isEqualTo(expected);
  }

  @Test
  void pathValuesAreEncodedButTheTemplateTextIsNot() {
    String path = Template.parse("/orders/{{odd}}/x y").render(BINDINGS, JourneyRunner::encodePathValue);

    assertThat(path).isEqualTo("/orders/a%2Fb%20c/x y");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      /orders/{{orderId            | unclosed '{{'
      {{}}                         | '{{}}' is not a template
      {{order-id}}                 | '{{order-id}}' is not a template
      {{env:}}                     | needs an environment variable name
      {{env:9X}}                   | needs an environment variable name
      """)
  void rejectsBadPlaceholders(String template, String message) {
    assertThatThrownBy(() -> Template.parse(template))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void missingValuesSayWhichKind() {
    assertThatThrownBy(() -> Template.parse("{{receipt}}").render(BINDINGS))
        .isInstanceOf(Template.MissingValueException.class)
        .hasMessage("variable receipt has no value");
    assertThatThrownBy(() -> Template.parse("{{env:TOKEN}}").render(BINDINGS))
        .isInstanceOf(Template.MissingValueException.class)
        .hasMessage("environment variable TOKEN is not set");
  }

  @Test
  void variablesListsOnlyExtractedVariables() {
    assertThat(Template.parse("{{uuid}}/{{a}}/{{env:B}}/{{now}}/{{c}}/{{a}}").variables())
        .containsExactly("a", "c");
  }
}
