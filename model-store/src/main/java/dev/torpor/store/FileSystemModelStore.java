package dev.torpor.store;

import dev.torpor.error.BadRequest;
import dev.torpor.error.VersionConflict;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A {@link ModelStore} on a local directory. Layout: {@code <root>/<name>/<version>/} holds the version's
 * files (a bare ONNX upload as {@code model.onnx}, an archive unpacked as it came) and {@code manifest.json};
 * {@code <root>/.staging/} holds publishes in progress, {@code <root>/.trash/} deletions in progress and
 * {@code <root>/.tombstones/} the versions once deleted ({@link Tombstones}). None can clash with a model, whose
 * name always starts with a letter or digit.
 *
 * <p><b>Atomicity.</b> A publish builds the whole version, manifest included, in a private staging directory
 * and makes it visible with one atomic rename; whatever fails, the staging directory is deleted, so readers
 * and later starts never see half a version. A delete renames the version into the trash atomically before
 * deleting it file by file. Leftovers of an interrupted process in {@code .staging} and {@code .trash} are
 * deleted at construction. All of this needs {@code root} on one file system that renames atomically.
 *
 * <p><b>Durability.</b> Before the rename every file and directory of the staged version is forced to disk; after
 * it, the model's directory (and {@code root}, when the model's directory is new) is forced, so a publish that
 * returned survives a power loss whole. A delete forces its tombstone before the version leaves the disk.
 *
 * <p><b>Version numbers are never reused.</b> A delete leaves a tombstone; publishing that version again is a
 * {@link VersionConflict} that says it was deleted. Tombstones are read from disk, so stores that share
 * {@code root} agree on them.
 *
 * <p><b>Thread-safety.</b> All methods may be called concurrently. Reads are served from an in-memory index
 * (loaded from the manifests at construction) and never touch the disk. Publishes stream, unpack and inspect
 * in parallel; only the final rename and the index update are serialised, so of several concurrent publishes
 * of one version exactly one succeeds and the others get {@link VersionConflict}. The store assumes it is the
 * only writer of {@code root}: it does not notice versions added or removed behind its back.
 */
public final class FileSystemModelStore implements ModelStore {
    /** The file a bare ONNX upload is stored as. */
    public static final String ONNX_FILE_NAME = "model.onnx";
    static final String STAGING_DIR = ".staging";
    static final String TRASH_DIR = ".trash";

    private static final System.Logger LOG = System.getLogger(FileSystemModelStore.class.getName());

    private final Path root;
    private final Path staging;
    private final Path trash;
    private final Clock clock;
    private final ArchiveUnpacker unpacker;
    private final FileSync sync;
    private final Tombstones tombstones;
    private final ManifestIndex index = new ManifestIndex();
    /** Serialises what changes the visible state: renames into and out of {@code root}, and the index. */
    private final Object commitLock = new Object();

    /**
     * Opens (creating it if needed) the store at {@code root}, deletes what interrupted publishes and deletes
     * left behind, and loads every readable manifest. A version whose manifest is missing or unreadable is
     * logged and left out.
     *
     * @param root   the models directory, such as {@code <TORPOR_DATA_DIR>/models}
     * @param clock  gives each publish its {@code publishedAt}
     * @param limits what an uploaded archive may unpack to
     * @throws UncheckedIOException the directories cannot be created or listed
     */
    public FileSystemModelStore(Path root, Clock clock, ArchiveLimits limits) {
        this(root, clock, limits, FileSync.DISK);
    }

    /** As the public constructor, forcing files through {@code sync} (tests record what is forced). */
    FileSystemModelStore(Path root, Clock clock, ArchiveLimits limits, FileSync sync) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        this.sync = Objects.requireNonNull(sync, "sync");
        this.tombstones = new Tombstones(this.root, sync);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.unpacker = new ArchiveUnpacker(Objects.requireNonNull(limits, "limits"));
        this.staging = this.root.resolve(STAGING_DIR);
        this.trash = this.root.resolve(TRASH_DIR);
        try {
            Files.createDirectories(staging);
            Files.createDirectories(trash);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the model store at " + this.root, e);
        }
        PathTrees.emptyQuietly(staging);
        PathTrees.emptyQuietly(trash);
        load();
    }

    /**
     * {@inheritDoc}
     *
     * <p>The upload is read until its end or until it passes the limit, and is not closed: the caller owns it.
     * The inspector sees the artifact at a temporary path that is gone once this method returns.
     */
    @Override
    public ModelManifest publish(PublishRequest request, InputStream upload, ModelInspector inspector) {
        Objects.requireNonNull(upload, "upload");
        Objects.requireNonNull(inspector, "inspector");
        // Before reading a byte: a client re-publishing a 2 GB model learns of the conflict at once.
        requireAbsent(request.id());
        String token = UUID.randomUUID().toString();
        Path work = staging.resolve(token);
        Path archive = staging.resolve(token + ".zip");
        try {
            Files.createDirectory(work);
            ModelManifest manifest = switch (request.kind()) {
                case ONNX_FILE -> stageOnnxFile(request, upload, inspector, work);
                case ZIP_ARCHIVE -> stageArchive(request, upload, inspector, work, archive);
            };
            ManifestFiles.write(work, manifest);
            commit(work, manifest);
            return manifest;
        } catch (IOException e) {
            throw new UncheckedIOException("could not publish " + request.id(), e);
        } finally {
            // After a successful commit `work` is gone and this is a no-op.
            PathTrees.deleteQuietly(work);
            PathTrees.deleteQuietly(archive);
        }
    }

    private ModelManifest stageOnnxFile(PublishRequest request, InputStream upload, ModelInspector inspector,
                                        Path work) {
        Path artifact = work.resolve(ONNX_FILE_NAME);
        UploadReceiver.Received received = UploadReceiver.receive(upload, artifact, request.maxBytes());
        Signature signature = inspector.inspect(artifact, ModelFormat.ONNX, null);
        return manifest(request, received, ModelFormat.ONNX, null, ONNX_FILE_NAME, signature,
                received.sizeBytes());
    }

    private ModelManifest stageArchive(PublishRequest request, InputStream upload, ModelInspector inspector,
                                       Path work, Path archive) throws IOException {
        UploadReceiver.Received received = UploadReceiver.receive(upload, archive, request.maxBytes());
        long unpackedBytes = unpacker.unpack(archive, work);
        // The archive is no longer needed; free its space before the engine loads the model.
        Files.delete(archive);
        ModelDescriptor descriptor = DescriptorParser.parse(work);
        Signature signature = inspector.inspect(work.resolve(descriptor.file()), descriptor.format(), descriptor);
        return manifest(request, received, descriptor.format(), descriptor.engine(), descriptor.file(), signature,
                unpackedBytes);
    }

    private ModelManifest manifest(PublishRequest request, UploadReceiver.Received received, ModelFormat format,
                                   String engine, String file, Signature signature, long artifactBytes) {
        Objects.requireNonNull(signature, "the model inspector returned no signature");
        return new ModelManifest(request.id().name(), request.id().version(), request.owner(), format, engine,
                file, received.sha256(), received.sizeBytes(), clock.instant(), signature,
                MemoryEstimate.forArtifactBytes(artifactBytes));
    }

    private void commit(Path work, ModelManifest manifest) throws IOException {
        ModelId id = manifest.id();
        // Outside the lock: forcing a large model must not hold up other publishes and deletes.
        sync.forceTree(work);
        synchronized (commitLock) {
            requireAbsent(id);
            Path target = versionDir(id);
            boolean newModel = !Files.isDirectory(target.getParent(), LinkOption.NOFOLLOW_LINKS);
            Files.createDirectories(target.getParent());
            try {
                // rename(2) refuses a non-empty target, and a version directory always holds its manifest.
                Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileSystemException e) {
                // Linux reports ENOTEMPTY as a plain FileSystemException, not DirectoryNotEmptyException: decide
                // by looking. A target that appeared behind our back (another process) is a conflict.
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw conflict(id, e);
                }
                throw e;
            }
            sync.force(target.getParent());
            if (newModel) {
                sync.force(root);
            }
            index.put(manifest);
        }
    }

    private void requireAbsent(ModelId id) {
        if (tombstones.contains(id)) {
            throw new VersionConflict("model " + id.name() + " version " + id.version() + " was deleted; a version"
                    + " number, once used, stays used (versions are immutable): publish another version");
        }
        if (index.contains(id) || Files.exists(versionDir(id), LinkOption.NOFOLLOW_LINKS)) {
            throw conflict(id, null);
        }
    }

    private static VersionConflict conflict(ModelId id, Throwable cause) {
        return new VersionConflict("model " + id.name() + " version " + id.version()
                + " already exists; versions are immutable", cause);
    }

    /** {@inheritDoc} Read from disk: a deletion by another store on the same {@code root} counts. */
    @Override
    public boolean deleted(ModelId id) {
        return tombstones.contains(id);
    }

    @Override
    public Optional<ModelManifest> find(ModelId id) {
        return index.find(id);
    }

    /** {@inheritDoc} Ordered by {@code publishedAt}, then by version. */
    @Override
    public List<ModelManifest> versions(String name) {
        return index.versions(name);
    }

    @Override
    public List<String> names() {
        return index.names();
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException the manifest's {@code file} would lead outside the version's directory
     */
    @Override
    public Path artifact(ModelManifest manifest) {
        Path dir = versionDir(manifest.id());
        try {
            Path file = dir.resolve(manifest.file()).normalize();
            if (file.startsWith(dir) && !file.equals(dir)) {
                return file;
            }
        } catch (InvalidPathException e) {
            // Reported below, like any other file outside the version.
        }
        throw new IllegalArgumentException("artifact '" + manifest.file() + "' of " + manifest.id()
                + " is not inside its version directory");
    }

    /**
     * {@inheritDoc}
     *
     * <p>The version's tombstone is written first; then the version disappears atomically (renamed into the
     * trash) and its files are deleted; the model's directory goes with its last version.
     */
    @Override
    public boolean delete(ModelId id) {
        Path dir = versionDir(id);
        Path trashed = trash.resolve(UUID.randomUUID().toString());
        boolean existed;
        synchronized (commitLock) {
            boolean onDisk = Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
            existed = index.contains(id) || onDisk;
            try {
                if (existed) {
                    tombstones.add(id, clock.instant());
                }
                if (onDisk) {
                    Files.move(dir, trashed, StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not delete " + id, e);
            }
            index.remove(id);
            deleteIfEmpty(dir.getParent());
        }
        // Outside the lock: deleting a large model's files must not hold up other publishes.
        PathTrees.deleteQuietly(trashed);
        return existed;
    }

    private static void deleteIfEmpty(Path modelDir) {
        try {
            Files.deleteIfExists(modelDir);
        } catch (DirectoryNotEmptyException e) {
            // Other versions remain.
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete the empty model directory " + modelDir, e);
        }
    }

    private Path versionDir(ModelId id) {
        // ModelId guarantees both parts are single, safe path segments.
        return root.resolve(id.name()).resolve(id.version());
    }

    private void load() {
        for (Path modelDir : directories(root)) {
            String name = modelDir.getFileName().toString();
            if (name.equals(STAGING_DIR) || name.equals(TRASH_DIR) || name.equals(Tombstones.DIR)) {
                continue;
            }
            for (Path versionDir : directories(modelDir)) {
                loadVersion(name, versionDir);
            }
        }
    }

    private void loadVersion(String name, Path versionDir) {
        String version = versionDir.getFileName().toString();
        try {
            ModelId id = new ModelId(name, version);
            if (tombstones.contains(id)) {
                // A delete was interrupted after its tombstone was written: finish it.
                LOG.log(System.Logger.Level.INFO, "finishing the interrupted delete of " + id);
                delete(id);
                return;
            }
            ModelManifest manifest = ManifestFiles.read(versionDir);
            if (!manifest.id().equals(id)) {
                throw new IOException("its manifest describes " + manifest.id());
            }
            index.put(manifest);
        } catch (IOException | BadRequest e) {
            LOG.log(System.Logger.Level.WARNING, "ignoring " + versionDir + ": " + e.getMessage());
        }
    }

    private static List<Path> directories(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(child -> Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + dir, e);
        }
    }
}
