package io.perennial.data;

import java.util.Map;

/**
 * A downloadable dataset archive with the size and SHA-256 it must have.
 *
 * @param name short name, e.g. {@code ml-100k}
 * @param fileName archive name on the server, e.g. {@code ml-100k.zip}
 * @param size expected size in bytes
 * @param sha256 expected lower-case hex SHA-256 of the archive
 */
public record RemoteDataset(String name, String fileName, long size, String sha256) {

  /** The GroupLens MovieLens archives (sizes and hashes of the published zips). */
  public static final Map<String, RemoteDataset> MOVIELENS =
      Map.of(
          "ml-latest-small",
          new RemoteDataset("ml-latest-small", "ml-latest-small.zip", 978_202,
              "696d65a3dfceac7c45750ad32df2c259311949efec81f0f144fdfb91ebc9e436"),
          "ml-100k",
          new RemoteDataset("ml-100k", "ml-100k.zip", 4_924_029,
              "50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229"),
          "ml-1m",
          new RemoteDataset("ml-1m", "ml-1m.zip", 5_917_549,
              "a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20"),
          "ml-25m",
          new RemoteDataset("ml-25m", "ml-25m.zip", 261_978_986,
              "8b21cfb7eb1706b4ec0aac894368d90acf26ebdfb6aced3ebd4ad5bd1eb9c6aa"));

  /** Where GroupLens publishes the MovieLens archives. */
  public static final String GROUPLENS_BASE = "https://files.grouplens.org/datasets/movielens/";
}
