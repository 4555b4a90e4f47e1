package io.perennial.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** An anonymous session reaches {@code foldInUser} in the order the request lists it (SASRec reads it as time order). */
class BasketOrderTest {

  @Test
  void theRequestOrderIsKeptAndARepeatedItemCountsOnceAtItsLatestPosition() {
    assertThat(ApiRoutes.inRequestOrder(List.of(7, 2, 5), 10)).containsExactly(7, 2, 5);
    // 3 was used again after 9: it is the session's latest item
    assertThat(ApiRoutes.inRequestOrder(List.of(5, 3, 9, 3), 10)).containsExactly(5, 9, 3);
    // items the served model does not have yet (learned ids beyond its tables) are left out
    assertThat(ApiRoutes.inRequestOrder(List.of(4, 12, 1), 10)).containsExactly(4, 1);
    assertThat(ApiRoutes.inRequestOrder(List.of(), 10)).isEmpty();
  }
}
