/**
 * Distillation into a smaller student: {@link io.perennial.model.distill.DistillationTrainer} trains
 * a teacher, then a student on the data plus the teacher's scores on the items it ranks highest for
 * each user.
 */
package io.perennial.model.distill;
