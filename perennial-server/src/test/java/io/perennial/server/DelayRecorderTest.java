package io.perennial.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.perennial.server.learn.DelayRecorder;
import io.perennial.server.learn.DelayRecorder.Visibility;
import org.junit.jupiter.api.Test;

class DelayRecorderTest {

  @Test
  void summarisesEveryRecordedDelay() {
    DelayRecorder recorder = new DelayRecorder();
    assertThat(recorder.summary().events()).isZero();
    assertThat(recorder.summary().shareWithinOneSecond()).isNaN();
    for (int ms = 1; ms <= 2000; ms++) {
      recorder.record(ms);
    }
    Visibility v = recorder.summary();
    assertThat(v.events()).isEqualTo(2000);
    assertThat(v.p50()).isCloseTo(1000, within(2L));
    assertThat(v.p99()).isCloseTo(1980, within(3L));
    assertThat(v.max()).isCloseTo(2000, within(2L));
    assertThat(v.shareWithinOneSecond()).isCloseTo(0.5, within(0.001));
  }
}
