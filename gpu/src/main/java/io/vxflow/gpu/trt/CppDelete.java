package io.vxflow.gpu.trt;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.bytedeco.javacpp.Pointer;

/**
 * Gives a TensorRT object the C++ {@code delete} it needs, so that {@link Pointer#close()} really
 * destroys it.
 *
 * <p>Why: TensorRT 10 objects are destroyed with {@code delete} ({@code destroy()} is gone), but
 * JavaCPP 1.5.11 registers no deallocator on pointers that native functions return
 * ({@code createInferBuilder}, {@code deserializeCudaEngine}, {@code createExecutionContext}...), so
 * their {@code close()} and {@code deallocate()} do nothing (bytedeco/javacpp-presets#1699).
 *
 * <p>How: for every class with a native default constructor, JavaCPP generates
 * {@code JavaCPP_<class>_deallocate(void* p) { delete (T*) p; }} and registers it on objects that
 * Java allocates. We allocate one throwaway object of the class to learn that function's address,
 * then register it on the returned object through {@code Pointer.init(address, 1, owner,
 * deallocator)}, the method JavaCPP's own native code calls for owned objects. The destructors of
 * the TensorRT interfaces are virtual, so {@code delete (IBuilder*) p} destroys the library's
 * implementation object, exactly as a C++ caller's {@code delete builder} does.
 *
 * <p>Limits: relies on two package-private members of JavaCPP's {@code Pointer} ({@code init} and the
 * {@code deallocator} field), checked for 1.5.11; classes without a native constructor (the ONNX
 * parser's {@code IParser}, which is abstract) get no deleter and cannot be destroyed from Java.
 * Only attach to objects the caller owns (never to a pointer TensorRT keeps, such as an
 * optimization profile), and close them deliberately: an owned object that becomes unreachable is
 * also deleted by JavaCPP's garbage-collection hook. {@code close()} deletes at once unless someone
 * called {@code retainReference()}, which vxflow never does on these objects.
 */
final class CppDelete {
    private static final Map<Class<?>, Long> DELETERS = new ConcurrentHashMap<>();
    private static final Method INIT;
    private static final Field DEALLOCATOR;

    static {
        try {
            INIT = Pointer.class.getDeclaredMethod("init", long.class, long.class, long.class, long.class);
            INIT.setAccessible(true);
            DEALLOCATOR = Pointer.class.getDeclaredField("deallocator");
            DEALLOCATOR.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError("this JavaCPP has no Pointer.init(long, long, long, long) or Pointer.deallocator"
                    + " to attach C++ delete to TensorRT objects (checked for JavaCPP 1.5.11): " + e);
        }
    }

    private CppDelete() {}

    /**
     * Registers {@code delete (T*) p} on {@code p}, where {@code T} is the C++ class of {@code p}'s
     * Java class; {@code probe} makes a throwaway object of that class (its no-argument
     * constructor). Returns {@code p}; null or NULL pointers pass through.
     */
    static <P extends Pointer> P attach(P p, Supplier<? extends Pointer> probe) {
        if (p == null || p.isNull()) {
            return p;
        }
        if (owns(p)) {
            throw new IllegalStateException(p.getClass().getSimpleName() + " already has a deallocator");
        }
        long deleter = DELETERS.computeIfAbsent(p.getClass(), c -> deleterOf(probe));
        try {
            INIT.invoke(p, p.address(), 1L, p.address(), deleter);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot register C++ delete on " + p.getClass().getSimpleName(), e);
        }
        return p;
    }

    /** Whether {@code p} carries a deallocator (for tests). */
    static boolean owns(Pointer p) {
        try {
            return p != null && DEALLOCATOR.get(p) != null;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long deleterOf(Supplier<? extends Pointer> probe) {
        Pointer throwaway = probe.get();
        try {
            Object deallocator = DEALLOCATOR.get(throwaway);
            if (deallocator == null) {
                throw new IllegalStateException(throwaway.getClass().getSimpleName() + "() registered no deallocator");
            }
            Method address = deallocator.getClass().getDeclaredMethod("deallocatorAddress");
            address.setAccessible(true);
            long fn = (Long) address.invoke(deallocator);
            if (fn == 0) {
                throw new IllegalStateException(throwaway.getClass().getSimpleName() + "() registered a NULL deallocator");
            }
            return fn;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the C++ delete JavaCPP generated for "
                    + throwaway.getClass().getSimpleName(), e);
        } finally {
            throwaway.close();
        }
    }
}
