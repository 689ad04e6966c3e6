package io.vxflow.gpu.testing;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The methods a compiled class refers to, read from its constant pool (JVMS 4.4): every {@code
 * Methodref} and {@code InterfaceMethodref}, which is what each {@code invoke*} instruction and
 * method handle names. A small reader of the class-file format, enough for tests that check which
 * classes call what; it reads no code attributes.
 */
public final class ClassFileReferences {
    /** A method named in a constant pool: owner in internal form ({@code org/bytedeco/cuda/global/cudart}), name. */
    public record MethodRef(String owner, String name, String descriptor) {}

    private ClassFileReferences() {}

    /** The class's own name (internal form) and the methods its constant pool refers to. */
    public static List<MethodRef> methodsReferencedBy(byte[] classFile, String[] thisClass) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort(); // minor
        in.readUnsignedShort(); // major
        int count = in.readUnsignedShort();
        Object[] pool = new Object[count];
        int[][] refs = new int[count][];
        int[] tags = new int[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            tags[i] = tag;
            switch (tag) {
                case 1 -> pool[i] = in.readUTF(); // Utf8 (modified UTF-8, which readUTF reads)
                case 3, 4 -> in.readInt(); // Integer, Float
                case 5, 6 -> { // Long, Double: two slots
                    in.readLong();
                    i++;
                }
                case 7, 8, 16, 19, 20 -> refs[i] = new int[] {in.readUnsignedShort()}; // Class, String, MethodType, Module, Package
                case 9, 10, 11, 12, 17, 18 -> refs[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
                case 15 -> refs[i] = new int[] {in.readUnsignedByte(), in.readUnsignedShort()}; // MethodHandle
                default -> throw new IOException("unknown constant pool tag " + tag + " at " + i);
            }
        }
        in.readUnsignedShort(); // access flags
        thisClass[0] = (String) pool[refs[in.readUnsignedShort()][0]];
        List<MethodRef> methods = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            if (tags[i] == 10 || tags[i] == 11) {
                String owner = (String) pool[refs[refs[i][0]][0]];
                int[] nameAndType = refs[refs[i][1]];
                methods.add(new MethodRef(owner, (String) pool[nameAndType[0]], (String) pool[nameAndType[1]]));
            }
        }
        return methods;
    }
}
